"""The blameless review read from sentence structure: who acts and how.

Every sentence here was written for these tests, one for each kind of blame
that word lists missed on public postmortems, and one for each false alarm
they raised. The figures on real prose come from scripts/eval_blameless.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_blameless import page, place, review, spots

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import eval_blameless  # noqa: E402
from mkdocs_postmortems.check.blameless_learned import learn_slips  # noqa: E402


def _flags_only_the_blaming(blaming: str, neutral: str) -> None:
    """A class and its near-twin: the blaming sentence is flagged, the
    neutral one, the same shape about a thing, is not."""
    assert review(page(blaming + "\n")), blaming
    assert review(page(neutral + "\n")) == [], neutral


BLAMING = [
    # the writer's "would have" with any act of theirs, told plainly
    ("blameless-counterfactual", "I would have written the handover notes before the launch."),
    ("blameless-counterfactual", "I would have also asked my teammates for help sooner."),
    # a person's choice judged by what it cost
    ("blameless-person", "Anja's decision to build our own CDN cost us three weeks."),
    ("blameless-person", "My decision to skip the load test cost us a day."),
    # a step a role or the writer went without, whatever the step
    (
        "blameless-judgement",
        "The contractor changed the firewall rules without filing a change request.",
    ),
    ("blameless-judgement", "I rotated the signing keys without updating the clients."),
    # a name at the start of a sentence, with a slip no list names
    ("blameless-person", "Marta deleted the wrong database and realised immediately after."),
    ("blameless-person", "Ines accidentally truncated the events table."),
    # "failed to" after a name
    ("blameless-person", "Jonas failed to follow up after the deploy."),
    # role words on no list, before an act people do
    ("blameless-counterfactual", "The incident commander failed to recognise the need."),
    ("blameless-counterfactual", "The release coordinator did not check the canary."),
    # the writer's own slips, first person singular
    ("blameless-person", "I took down production."),
    ("blameless-person", "I forgot to create one of the indexes."),
    ("blameless-person", "When I rebased, I did not retest the branch."),
    ("blameless-person", "When I ran it, I even forgot to pass the flag."),
    # inflections of listed judgements
    ("blameless-judgement", "I stupidly ran the script against production."),
    ("blameless-judgement", "The reviewer sloppily approved the change."),
    # a group judging its own action
    ("blameless-judgement", "We hurriedly pushed an untested fix."),
    ("blameless-judgement", "At the time we incorrectly assessed the change as low-risk."),
    # a role with a damage verb marked as a slip
    ("blameless-person", "Engineers deleted the production database by accident."),
    ("blameless-person", "Dana removed the production database by mistake."),
    ("blameless-person", "I removed the wrong file by accident."),
    ("blameless-person", "An operator inadvertently rebooted every host."),
    ("blameless-person", "The admin made a typo in the zone file."),
    # "being more careful", a form of "be more careful"
    ("blameless-judgement", "Being more vigilant when dropping tables is wise as well."),
    # a minimiser about someone else's steps still makes their work small
    ("blameless-minimiser", "They could easily have restarted the queue."),
    # a slip told without its subject, as logs and timelines do
    ("blameless-person", "Forgot to revoke the token before the release."),
    ("blameless-person", "14:05 Accidentally dropped the audit table."),
    ("blameless-person", "The queue backed up and while debugging mistyped the host name."),
    # any verb after a mark of an unintended act, with a person by relation
    ("blameless-person", "My friend inadvertently unplugs the router while cleaning."),
    # a verb after "but" that shares a subject said long before it
    (
        "blameless-person",
        "A technician opened a console on the rack to drain two hosts in the old row "
        "near the door but forgot to pick the right one.",
    ),
    # the wrong act done ("did X instead of Y")
    ("blameless-person", "A contractor did rm instead of mv."),
    # a state of attention offered as the cause
    ("blameless-person", "During the upgrade I got distracted by a call."),
    ("blameless-judgement", "The reviewer was exhausted after the long shift."),
    # knowledge, skill or care denied to a person
    ("blameless-judgement", "Operator unaware of the maintenance window."),
    ("blameless-judgement", "Insufficient operator attention during the cutover."),
    ("blameless-judgement", "She was not a careful release manager."),
    # guilt laid on a person
    ("blameless-person", "Later, Ottilie, feeling guilty about the outage, wrote the fix."),
    ("blameless-person", "It was my fault that the cache expired."),
    # damage no routine step does, and slips told by the verb's own prefix
    ("blameless-person", "I wiped the shared staging volume."),
    ("blameless-person", "Then I misclicked the restore button."),
    ("blameless-person", "I typoed the bucket name."),
    # a person as the cause
    ("blameless-person", "I caused the outage with a stray flag."),
    ("blameless-person", "The outage was caused by a junior admin."),
    ("blameless-person", "It was caused by the removal of the index by an operator."),
    # an omission told without its subject
    ("blameless-person", "Didn't verify the restore before the cutover."),
    # a state graded by a word between ("really tired", "quite clueless")
    ("blameless-person", "I was really tired after the night shift."),
    ("blameless-person", "I was quite clueless about the failover."),
    # the writer's own counterfactual, inverted
    ("blameless-counterfactual", "Had I read the changelog, the outage might not have happened."),
    # human error with a word between
    ("blameless-human-error", "Root cause: operator input error during the cutover."),
    # a pronoun with its verb contracted onto it
    ("blameless-person", "I've accidentally truncated the ledger."),
    ("blameless-judgement", "Honestly, we've all been guilty of skipping the canary."),
    # a mistake graded as a failing
    ("blameless-judgement", "Restarting the primary first was an unforgivable mistake."),
    ("blameless-judgement", "We found a really bad mistake in the seed handling."),
    # a slip told after "And" or "But", the subject of the sentence before
    ("blameless-person", "And forgot to drain the queue before the restart."),
    ("blameless-person", "But accidentally purged the backup bucket."),
    # an act denied in the perfect, or by a subject that is nobody
    ("blameless-person", "I hadn't retested the failover after the upgrade."),
    ("blameless-counterfactual", "The release coordinator had never rotated the key."),
    ("blameless-counterfactual", "Nobody had verified the restore procedure."),
    ("blameless-counterfactual", "No one checked the replica lag that week."),
    # the person who set the harm off, told in a relative clause
    ("blameless-person", "The engineer who introduced the regression was new to the team."),
    # care, attention or knowledge denied after a copula, and a verdict after one
    ("blameless-person", "I wasn't careful enough with the cutover flags."),
    ("blameless-person", "Looking at it now, I'm not proud of that evening."),
    ("blameless-judgement", "The release manager was not aware of the freeze."),
    ("blameless-person", "I was overconfident about the replica."),
    # guilt in a noun owned by the writer, or pinned on them
    ("blameless-person", "Restoring from the stale snapshot was my mistake."),
    ("blameless-person", "Sorry, my bad."),
    ("blameless-person", "The blame for the lost uploads is on me."),
    ("blameless-person", "Skipping the dry run was naive of me."),
    ("blameless-judgement", "Their sloppiness with the keys cost a day."),
    # an act done in haste or without its check
    ("blameless-judgement", "I patched the router config in a rush."),
    ("blameless-judgement", "The operator flushed the queue without checking the consumers."),
    ("blameless-judgement", "Rotated the certificates without any verification."),
    ("blameless-judgement", "I restarted every node at once rather than testing one first."),
    # the writer's hindsight, in its own shapes
    ("blameless-counterfactual", "Why should I have trusted the default?"),
    ("blameless-counterfactual", "If I had rehearsed the restore, the gap would be small."),
    ("blameless-counterfactual", "Looking back, I would freeze the deploys first."),
    ("blameless-counterfactual", "I could have reviewed the region before the wipe."),
    ("blameless-counterfactual", "The expired token could have been spotted a week earlier."),
    # hyphenated acts after "should have" and "didn't"
    ("blameless-counterfactual", "I should have double-checked the target cluster."),
    ("blameless-person", "I didn't double-check the target cluster."),
    # a slip owned after its noun, and guilt felt
    ("blameless-person", "Pointing the job at prod was an error on my part."),
    ("blameless-person", "I felt awful about the lost uploads."),
    # responsibility for the harm, attention not paid, a person called names
    ("blameless-person", "In the end I was responsible for the outage."),
    ("blameless-judgement", "The admin responsible for the breakage moved teams."),
    ("blameless-person", "I wasn't paying attention to the prompt."),
    ("blameless-judgement", "The operator did not pay close attention to the diff."),
    ("blameless-person", "Honestly, I was such an idiot that night."),
    # slang for a slip
    ("blameless-person", "I goofed the DNS cutover."),
    ("blameless-person", "I panicked and rebooted the primary."),
    ("blameless-person", "I rushed the schema change out before lunch."),
    # a slip named with its maker after "by"
    ("blameless-person", "The outage came from a typo by the on-call engineer."),
    # a judgement graded before its adjective, and a rerun not done
    ("blameless-judgement", "I was too lazy to write the migration test."),
    ("blameless-judgement", "I merged the branch without running the suite."),
    # the writer's own slip told with a plain verb, marked by how it was done
    ("blameless-person", "I truncated the ledger again."),
    ("blameless-person", "After the restore I dropped the archive table a second time."),
    ("blameless-person", "I pushed the hotfix to production instead of the canary."),
    ("blameless-person", "I removed the vendored module without asking."),
    ("blameless-person", "The admin wiped the scratch disk without being asked to."),
    # slips listed without a subject, marked the same way
    ("blameless-person", "Overwrote the team's notes four times."),
    ("blameless-person", "Erased it again"),
    ("blameless-person", "Me: removed the whole fixtures folder again"),
    ("blameless-person", "Ignored your request to keep the old parser."),
    ("blameless-person", "Ignoring the reviewer's note about the flag."),
    ("blameless-person", "Repeated the same mistake with the second bucket."),
    # verdicts in the writer's own words, and an agent's confession
    ("blameless-person", "What I did wrong"),
    ("blameless-person", "I violated the change freeze."),
    ("blameless-person", "Violated the review rule for the release branch."),
    # the writer's act filed under a slip by the label before it
    ("blameless-person", "Mistake: I trusted the default retry budget."),
    ("blameless-person", "Error: my cleanup job ran against the shared bucket."),
    ("blameless-person", "Mistakes: merged the schema change on a Friday."),
    ("blameless-person", "Make the same mistake again with the staging keys"),
    # any act aimed wrong, an omission with an adverb in it, a slip only a verb can be
    ("blameless-person", "I sent you the wrong figure for the shard count."),
    ("blameless-person", "Picked the wrong region for the replica."),
    ("blameless-person", "I didn't fully check the migration plan."),
    ("blameless-person", "Did not properly check the target cluster."),
    ("blameless-person", "Forgot role: reviewer, not author"),
    # the reader told of their slip
    ("blameless-person", "You skipped the first ten steps of the runbook."),
    ("blameless-person", "You wiped the fixtures again."),
    # an agent's confessions: a choice judged bad, a rule set aside, an act unasked
    ("blameless-person", "I made a false assumption about the locale."),
    ("blameless-person", "I disregarded the note in the task description."),
    ("blameless-judgement", "I renamed the tables without permission."),
    ("blameless-judgement", "I reformatted every file without being asked."),
    # hindsight put to the reader
    ("blameless-counterfactual", "What should you have asked the vendor first?"),
    # the writer owning the failure (shapes read on the written set, issue 25)
    ("blameless-person", "The broken export is on me."),
    ("blameless-person", "Mea culpa: the cron entry was mine."),
    ("blameless-person", "I take full responsibility for the lost uploads."),
    ("blameless-person", "I'll own this: the quota was set by hand."),
    ("blameless-person", "It was me who rotated the signing key."),
    ("blameless-person", "The export outage is mine."),
    ("blameless-person", "Going live on a Friday was my call, and a bad one."),
    # verdicts after a copula: wrong, or a trait in excess
    ("blameless-person", "I was completely wrong about the cache."),
    ("blameless-person", "I was far too sure of the benchmark."),
    ("blameless-judgement", "I got lazy about the release checklist."),
    ("blameless-counterfactual", "I should of pinned the base image."),
    ("blameless-counterfactual", "Nobody bothered to read the quota email."),
    ("blameless-minimiser", "All she had to do was tick the box."),
    # acts on a false belief, unintended, or without telling anyone
    ("blameless-person", "I dropped the schema thinking it was the scratch copy."),
    ("blameless-person", "i send the invoice to all customers by mistake."),
    ("blameless-person", "I mixed up the two region codes."),
    ("blameless-person", "I wasted a week of the annotation budget."),
    ("blameless-judgement", "Without telling anyone, I paused the ingestion job."),
    # roles named by title or by their letters
    ("blameless-person", "The CTO ignored the capacity warning."),
    ("blameless-person", "The DBA skipped the replica check."),
    # a team's own slips and duties left undone
    ("blameless-judgement", "We skipped the handover notes that week."),
    ("blameless-judgement", "We never documented the restore steps."),
    # second round: the written set's second half
    ("blameless-person", "I'm the fool who pointed the job at the live bucket."),
    ("blameless-person", "The broken upload page is 100% on me."),
    ("blameless-person", "My error was trusting the cached token."),
    ("blameless-person", "I rebuilt the image instead of patching the one file."),
    ("blameless-person", "I got the timezone wrong in the cron entry."),
    ("blameless-person", "I never set an alert on the queue depth."),
    ("blameless-person", "I was much too slow to page the database team."),
    ("blameless-counterfactual", "Should've pinned the driver version."),
    ("blameless-counterfactual", "if i'd checked the quota page we would have known."),
    ("blameless-counterfactual", "If I'd been less stubborn we would have rolled back sooner."),
    ("blameless-counterfactual", "Nobody renewed the wildcard certificate."),
    ("blameless-judgement", "We were not careful enough with the export job."),
    ("blameless-judgement", "We failed at keeping the runbook current."),
    ("blameless-judgement", "I pushed the hotfix without understanding the lock."),
    # near twins of the false alarms of the fourth round, still blame
    ("blameless-minimiser", "Needless to say, he never read the migration before running it."),
    ("blameless-minimiser", "Of course we skipped the dry run that week."),
    ("blameless-minimiser", "They could easily have checked the replica lag."),
    ("blameless-minimiser", "It was easy to spot the stale flag, and nobody did."),
    ("blameless-judgement", "Honestly, I was too dumb to ask for help."),
    ("blameless-counterfactual", "If only we had drained the node first."),
    ("blameless-counterfactual", "The two bugs could have been found sooner by the reviewer."),
    ("blameless-person", "Then you broke the parser and left."),
    ("blameless-person", "Ask dana@example.org before the window."),
    ("blameless-person", "Ping (@dana) before the deploy."),
    ("blameless-person", "Noble forgot to revoke the token."),
    ("blameless-human-error", "The cause was a bad config, a missing check, and human error."),
    ("blameless-human-error", "Human error was the root cause, again."),
    ("blameless-human-error", "| Root cause | Human error |"),
    ("blameless-person", "I was too tired to debug the exporter that night."),
    ("blameless-judgement", "We totally botched the schema change."),
    ("blameless-judgement", "Messed up the proxy config again."),
    ("blameless-judgement", "The cutover was botched."),
    ("blameless-minimiser", "The remedy was simply to restart the consumer."),
    ("blameless-minimiser", "They just had to clear the stale lock."),
    ("blameless-minimiser", "Obviously he had to restart it twice."),
    ("blameless-counterfactual", "Had I checked the quota, the job would have run."),
    ("blameless-person", "Thanks @dana for the npm fix."),
    ("blameless-minimiser", "Obviously he ignored the pager."),
]

NOT_BLAMING = [
    # judgement words about things
    "What dumb thing broke today?",
    "Sloppy luck: the retry landed on the same node.",
    # a training run's result
    "We failed to reproduce the loss curve of the paper.",
    "We failed to cross the 24B-token mark before the restart.",
    "At step 5k we failed to converge.",
    # "overlooked" describing a design difference
    "The new design overlooked a difference between the two tokenisers.",
    "This is an often overlooked difference between the schedulers.",
    # things acting, and people acting without a slip
    "Traefik failed to renew the certificate.",
    "The cron job deleted the wrong directory.",
    "Kubernetes restarted the pod at 10:02.",
    "I ran the migration at 10:00.",
    "We deleted the old key and added a new one.",
    "The stupidity of the default made the slip likely.",
    "The job was mistakenly marked as successful.",
    # a case imagined, not a slip reported
    "What if I delete the valuable data by accident?",
    # the writer telling their own steps, which makes no one's work small
    "After that I simply ran the restore from the tape.",
    "Now we just need to hand these files to the converter.",
    "On one host I could easily repeat the crash by hand.",
    # what the absence of a thing would have cost
    "Without the pager we would have noticed the outage hours later.",
    # a passive assumption, with no person for the adverb to judge
    "The clock was wrongly assumed to never run backwards.",
    # an aside between a subject and its verb holds no subject
    "The proxy, which we nicknamed Grumpy Gus, forgot every session at midnight.",
    # the same shapes about things, steps and results
    "Removed the old key from the vault.",
    "Skipped tests are listed in the report.",
    "The script accidentally ran twice.",
    "A page fault stopped the worker.",
    "Lack of disk space stopped the build.",
    "The cache was not a strong candidate for the cause.",
    "Ignored warnings piled up in the log.",
    "The screen also recommended unqualified applicants.",
    # the same shapes with no person to land on
    "It was not my fault, nor anyone else's.",
    "Postgres caused the outage when the disk filled.",
    "Users were misdirected to the old page.",
    "The cleanup wiped the cache as designed.",
    "The storm cut power to the region, affecting thousands of people, and caused delays.",
    "The outage was caused by a stale certificate.",
    "Checks that prevent operator input errors are now in place.",
    # a byline credits the writer, who may be named
    "Author: Rosalind Vey rosalind@example.org",
    "Off-by-one slips are a common mistake in pagination code.",
    # the same shapes about things, news and steps
    "The backup had never been tested.",
    "We had never seen this failure before.",
    "And then the queue drained.",
    "I hadn't expected the cache to be that large.",
    "The migration that introduced the regression was reverted.",
    "Nobody was paged at night.",
    "Nobody reported problems during the window.",
    "The pages went to a channel nobody watched at night.",
    "I haven't tested the driver on ARM yet.",
    "We were not aware of the limit until the vendor told us.",
    "I wasn't tired, only unlucky.",
    "I'm not sure why the cache emptied.",
    # owned slips of a team, rushes and checks about things, plain conditions
    "We learned from our mistake and added a guard.",
    "Our oversight board meets monthly.",
    "A rush of sign-ups filled the queue.",
    "The job deletes old files without checking their owner.",
    "It was kind of me to stay late, said nobody.",
    "If we had more disks, the rebuild would be faster.",
    "What could we have done better?",
    "The blame never fell on me or on anyone.",
    "In hindsight, I would say the cache was the weak point.",
    "The latency that night was terrible.",
    "The team responsible for the billing service was paged.",
    "The change responsible for the outage was reverted.",
    "Please pay attention to the disk graph during the cutover.",
    "Any fool can write a cron job; few can run one for years.",
    "I was not responsible for the rollout that week.",
    "The notes are kept for people who skipped the last release.",
    "`deploy --all` triggered a crash in the parser.",
    "`git push` and `git fetch` did not communicate the new ref.",
    "Nobody noticed the slow leak for years, judging by the tracker.",
    "I am not aware that the API allows a partial refund.",
    "The page was rushed to print.",
    "It was an error by the parser in the engineer view.",
    "The worker restarted without running the migrations.",
    "The review covers how the outage could have been prevented.",
    # nor the list of ways it opens, which answers that question
    "Here are some ways the expired token could have been spotted:",
    # acts done again or instead of another that are steps, or not a person's
    "I restarted the scheduler again and it recovered.",
    "I ran the benchmark twice to be sure.",
    "The cron job deleted the stale logs again.",
    "Postgres dropped the idle connections again.",
    "We purged the cache again to be safe.",
    "I removed the lock, and the agent took it again.",
    "The rows were deleted again by the retention task.",
    "Make sure no mistake in the ledger is repeated.",
    "The new index violated the uniqueness constraint.",
    "Skipped same-day tests are listed in the report.",
    # a log's error label, and labels over no act of the writer's
    "Error: received 502 from the gateway.",
    "Error: I/O timeout on the scratch disk.",
    "Mistake: caused by a stale cache entry.",
    "The error: the replica lagged by an hour.",
    "Errors:\n\nI restarted the node after the alert.",
    # the writer's own steps, with more adverbs between
    "I literally just ran the export script.",
    "I quickly and simply ran the backfill.",
    # capitalised words that are no person: a preposition's object, a
    # product whose second word the text writes in lower case, a timeline noun
    "A reload of Apache on Debian made the pages load again.",
    "Later Visual Studio Code removed the buffer, and the code was lost.",
    "09:12: Issue escalated to the database team.",
    "Code reviewed by two people before the merge.",
    # wrong answers given by things, a group's choice, the reader asked or supposed
    "The resolver returned the wrong address.",
    "We chose the wrong instance type for the batch job.",
    "If you skipped the setup step, run it now.",
    "Did you miss the maintenance notice?",
    "When you deleted the branch again, the bot restored it.",
    "We made a bad decision about the shard key.",
    "I made a decision to roll back at noon.",
    "The parser made a false assumption about time zones.",
    "The worker restarted without being asked.",
    # an option weighed, a wish, a belief denied
    "I could have downloaded an older dump, but it lacked the new tables.",
    "I would have liked a second opinion on the plan.",
    "I would not have believed it a year ago.",
    # a choice that cost something, owned by a team or by nobody, and a cost
    "Our decision to wait for the vendor cost us an hour.",
    "The decision to wait for the vendor cost us an hour.",
    "The outage cost us a day of sales.",
    # a step went without by a thing, or a harm spared, or a role as a modifier
    "The rotation job moved the logs without compressing them.",
    "The operator moved the shard to the new host without losing any data.",
    "We only need a QA Environment to help them, without getting in touch with the code.",
    # a heading of what was done instead, and a tool that assumed wrong
    "What I did instead:",
    "Terraform wrongly assumed the state file was fresh.",
    # owning, duty and choice told as facts
    "It is on me to schedule the follow-up review.",
    "It was my call to roll back, made at 10:40.",
    "It was me and two others on the bridge call.",
    "I was confident the fix had landed after the canary passed.",
    # a thing wrong, a passive, a case imagined, a state
    "The config in the chart was wrong.",
    "The bucket was emptied by mistake during the migration.",
    "What if I delete the archive by accident, how would we restore it?",
    "The retry loop wasted GPU hours.",
    # an AI agent's behaviour is the model layer's, told as it happened
    "The coding agent ignored the read-only instruction.",
    "The assistant hallucinated a config option.",
    # what a team did not perceive, and harm it set off, told as a discovery
    "We did not realise the queue still held jobs.",
    "We introduced a regression in the proxy code.",
    "My error handling code logs the stack trace.",
    "We used Redis instead of adding a second cache.",
    "If I find the code contradicts the docs, say so instead of patching around it.",
    "Pre-commit hooks failed: Should have caught hardcoded secrets.",
    "The parser got the date wrong.",
    "The job failed at step 3.",
    "We didn't think the two alerts were related.",
    "I had set a reminder for Monday.",
    "We were not aware of the limit.",
    # second reading: a turn or a task on someone, not a fault
    "The pager rotation is on me this week.",
    "Tonight's deploy window is on me.",
    "Lunch is on me.",
    "The error is mine to investigate next week.",
    "Who was on call? It was me.",
    "I take responsibility for the follow-up items listed below.",
    "I'll own this action item and report back on Monday.",
    "I will own it until the new lead starts.",
    "Mea culpa is not the tone we want in these reviews.",
    # a team's omission or skip with a thing, or the plan, as its reason
    "We skipped the canary stage because the pipeline marked it optional for config changes.",
    "We never documented the restore steps because the tool did not exist until last month.",
    "We never rotated the key because the rotation job was disabled by a flag nobody knew about.",
    "No one renewed the certificate because the renewal reminder went to a deleted mailbox.",
    "We missed the date by three weeks because the KYC vendor changed their API in April.",
    "We skipped the small-scale dry run to save two days, as planned in the schedule.",
    "We failed at first to reproduce the bug.",
    # workload, luck, intent, a passive, a hypothesis
    "The team was too busy with the launch to review the alert rules.",
    "I was too busy with the launch to review the alert rules.",
    "I found the problem by accident while reading unrelated logs.",
    "Bonus: things I got right, by accident.",
    "I mixed up the order on purpose to test the parser.",
    "If I'd been paged earlier, the rollback would have started sooner.",
    "I was thinking it was a DNS problem, and the first traces agreed.",
    "The checkpoint writer did not write to a temp file, so the partial checkpoint looked whole.",
    # the act chosen was the plan, or the step as prescribed
    "All I had to do, per the runbook, was wait for the replica to catch up.",
    "I used the staging credentials instead of creating new ones, as planned.",
    "I chose the bulk path instead of streaming, which was the documented approach.",
    "Instead of waiting for the cron, I triggered the job by hand at 10:05.",
    # a sentence adverb before no one's slip: an event, advice, a habit
    "Needless to say, the launch slipped a week.",
    "It goes without saying that the cache warms up slowly after a deploy.",
    "Of course you should keep separate keys for staging.",
    "Of course we rotate the tokens every month.",
    # "easily" and "easy" about a duration or a fix today
    "The import could easily run for an hour on the large tenant.",
    "This is easy to fix: pin the base image.",
    # a judging word conceded, not said of anyone
    "Raise it in the channel, no matter how dumb it seems.",
    # "if only" narrowing a condition; the head of a list of ways
    "If only one replica is healthy, drain the node first.",
    "Here are the ways the outage could have been caught:",
    "The two bugs could have been found sooner with:",
    # a slip that one finds out, anyone's
    "It is quicker to find out you broke the parser when the tests run on every push.",
    # a role's mailbox, an embedded post's credit
    "Sent from admin@example.org (ADMIN) at 09:14.",
    "pic.twitter.com/abc — Status page (@statuspage) March 3, 2024",
    # adjectives and a tool's modifier at a sentence start, not names
    "Single misplaced filter could empty the table.",
    "Multiple pushes carried the leaked key.",
    "Simple merges reverted the fix.",
    "Force pushed the rebased branch to the fork.",
    # human error as a kind among others, a measure, a code, or a cause excluded
    "Outages can come from bad deploys, expired certificates, flaky disks, or human error.",
    "✗ Disk full ✗ Clock skew ✗ User error",
    "The human error rate stayed flat after the new form.",
    "Operator error codes were logged on both hosts.",
    "Human error was ruled out early.",
    "Human error is not an answer we accept in a review.",
    # the writer's state as they write, not a cause
    "I'm too tired to debug the exporter right now.",
    "I'm exhausted now, so the rest waits for tomorrow.",
    # a verb that judges people's work, done by a thing
    "The nightly update messed up the proxy config on every node.",
    "This screwed up the whole build cache.",
    "The resize job totally botched the index.",
    # a minimiser in an instruction, told in the present
    "The remedy is simply to restart the consumer.",
    "The operator just needs to clear the stale lock.",
    "Obviously you need to restart the consumer after the change.",
    "You can easily check the lag with the admin CLI.",
    "Engineers can just restart the consumer from the dashboard.",
    # "is" read as a plural of "I"
    "Obviously the T4 is the cheaper card.",
    # "had I" inverted after a negative or a limit
    "Never had I seen a queue drain that fast.",
    "Not only had I found the leak, the patch was ready too.",
    # an adverb at the start of a component's description, not a name
    "Never writes the buffer to slow disk.",
    "Always writes the log before the reply.",
    # a package scope and an organisation's handle
    "@orbit/cli - command line tools",
    "Published seven packages under the @orbit organization.",
    # a title capitalises every word
    "Chapter 2: The Cache That Forgot",
]


@pytest.mark.parametrize(("rule", "sentence"), BLAMING)
def test_each_kind_of_blame_is_read_from_the_sentence(rule: str, sentence: str) -> None:
    assert {f.rule for f in review(page(sentence + "\n"))} == {rule}, sentence


@pytest.mark.parametrize("sentence", NOT_BLAMING)
def test_known_false_alarms_stay_quiet(sentence: str) -> None:
    assert review(page(sentence + "\n")) == [], sentence


def test_one_sentence_gets_one_finding_when_phrases_already_flag_it() -> None:
    """A sentence a listed phrase flags is not flagged again by its structure."""
    findings = review(page("The engineer simply forgot the flag.\n"))
    assert [f.rule for f in findings] == ["blameless-minimiser"]


def test_a_name_at_the_start_is_pointed_at_with_a_rewrite_without_it() -> None:
    """The message points at the name, says to write the role, and the
    proposed sentence keeps neither the name nor a word of it."""
    body = "Dana Whitfield deleted the wrong index; Dana's fix and Whitfield's notes came later.\n"
    text = page(body)
    (finding,) = review(text)
    assert spots([finding]) == [("blameless-person", *place(text, "Dana Whitfield"))]
    assert "refer to people by role" in finding.message
    suggested = finding.message.split(", e.g. ", 1)[1]
    assert "Dana" not in suggested and "Whitfield" not in suggested, suggested
    assert "the <role>" in suggested


def test_self_blame_message_proposes_a_rewrite_about_the_system() -> None:
    (finding,) = review(page("I took down production.\n"))
    assert finding.message.startswith('"I": refer to people by role')
    assert "instead of" in finding.message


FRONT_PROSE = """\
harm:
  affected: Customers Marta deleted by accident
ruled_out:
  - layer: data
    reason: I forgot to check the data at first
not_examined:
  - layer: model
    reason: We hurriedly skipped it
action_items:
  - title: Jonas failed to follow up, so add a follow-up step
    layer: process
    type: prevent
    owner: support-team
    due: 2025-05-01
    status: open
"""


def test_every_prose_field_of_the_front_matter_is_reviewed_at_its_line() -> None:
    text = page(front=FRONT_PROSE)
    assert spots(review(text)) == [
        ("blameless-person", *place(text, "Marta")),
        ("blameless-person", *place(text, "I forgot")),
        ("blameless-judgement", *place(text, "hurriedly")),
        ("blameless-person", *place(text, "Jonas")),
    ]


def test_authors_and_owners_may_be_named_others_not() -> None:
    """Names in `authors` and action-item owners are where names belong; a
    name outside them is flagged with the advice to write the role."""
    front = """\
    authors: ["Dana Whitfield", "@kai"]
    action_items:
      - title: Add a dry-run flag to the cleanup script
        layer: process
        type: prevent
        owner: Priya
        due: 2025-05-01
        status: open
    """
    body = (
        "Dana Whitfield reviewed the change.\n\n@kai merged it.\n\n"
        "Priya noticed the errors.\n\nTomas deleted the wrong index.\n"
    )
    text = page(body, front)
    findings = review(text)
    assert spots(findings) == [("blameless-person", *place(text, "Tomas"))]
    assert "authors and action-item owners" in findings[0].message


def test_not_examined_is_read_when_present_and_skipped_when_malformed() -> None:
    front = "not_examined: [{layer: model, reason: 7}, oops, {reason: I broke the eval}]\n"
    text = page(front=front)
    assert spots(review(text)) == [("blameless-person", *place(text, "I broke"))]


def test_slips_are_learned_from_labels_seen_only_in_blaming_sentences() -> None:
    labelled = [
        ("I clobbered the cache.", True),
        ("Marta clobbered the staging index.", True),
        ("The admin clobbered the backup.", True),
        ("I restarted the pod.", True),
        ("I restarted the pod after the alert.", False),
        ("The job clobbered nothing.", False),
    ]
    assert learn_slips(labelled) == frozenset({"clobbered"})
    # Two blaming sentences are chance, not a slip verb.
    assert learn_slips(labelled[1:]) == frozenset()


def _mirror(tmp_path: Path) -> tuple[Path, str]:
    """A mirror folder with one bare repository holding one postmortem."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "pm.md").write_text(
        "# Outage\n\nI forgot to renew the certificate. The proxy then failed.\n",
        encoding="utf-8",
    )

    def git(*args: str, cwd: Path = work) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=cwd,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    git("init", "-q")
    git("add", "pm.md")
    git("commit", "-qm", "pm")
    mirrors = tmp_path / "mirrors"
    (mirrors / "someone+outages").mkdir(parents=True)
    git("clone", "-q", "--bare", str(work), str(mirrors / "someone+outages" / "repo"))
    return mirrors, git("rev-parse", "HEAD")


def test_evaluation_reads_labels_from_mirrors_and_names_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors, commit = _mirror(tmp_path)
    blaming = eval_blameless.sentence_hash("I forgot to renew the certificate.")
    clean = eval_blameless.sentence_hash("The proxy then failed.")
    labels = tmp_path / "labels.tsv"
    labels.write_text(
        "\n".join(
            [
                "source\tcommit\tpath\tsha\tlabel\trule\tkind",
                f"someone/outages\t{commit}\tpm.md\t{blaming}\tblame\tblameless-person\tself",
                f"someone/outages\t{commit}\tpm.md\t{clean}\tok\t-\t-",
                f"someone/outages\t{commit}\tpm.md\t{'0' * 16}\tok\t-\t-",
                f"nobody/gone\t{commit}\tpm.md\t{clean}\tok\t-\t-",
            ]
        ),
        encoding="utf-8",
    )
    assert eval_blameless.main([str(mirrors), "--labels", str(labels)]) == 0
    out = capsys.readouterr().out
    assert "nobody/gone: no mirror under" in out
    assert f"someone/outages: sentence {'0' * 16} not in pm.md" in out
    assert "precision 1.00 (1/1), recall 1.00 (1/1)" in out


def test_a_written_set_is_scored_by_who_is_blamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = tmp_path / "written.tsv"
    written.write_text(
        "# a comment line\n"
        "blame\tself\tblog\tI forgot to renew the certificate.\n"
        "blame\trole\tblog\tThe vendor's portal went down on Monday.\n"
        "ok\t-\tblog\tThe proxy then failed.\n"
        "ok\t-\tblog\tI took down production.\n",
        encoding="utf-8",
    )
    assert eval_blameless.main([str(tmp_path), "--written", str(written)]) == 0
    out = capsys.readouterr().out
    assert "4 sentences, 2 blaming; precision 0.50 (1/2), recall 0.50 (1/2)" in out
    assert "role 0/1, self 1/1" in out
    assert eval_blameless.main([str(tmp_path), "--written", str(tmp_path / "none.tsv")]) == 2


def test_the_written_set_is_well_formed() -> None:
    """Every row of the shipped written set has its four columns and a known label and kind."""
    path = REPO / "tests" / "data" / "blameless-written.tsv"
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    kinds = {"self", "group", "role", "name", "someone", "agent"}
    assert len(rows) == len(eval_blameless.read_written(path)) > 3000
    assert all(
        (r.split("\t")[0], r.split("\t")[1] in kinds) in (("blame", True), ("ok", False))
        for r in rows
    )


def test_evaluation_without_any_readable_label_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = tmp_path / "labels.tsv"
    labels.write_text("nobody/gone\tabc\tpm.md\t0123\tblame\tblameless-person\tself\n")
    assert eval_blameless.main([str(tmp_path), "--labels", str(labels)]) == 2
    assert "nobody/gone: no mirror under" in capsys.readouterr().err


def test_a_batch_scored_alone_is_held_out_as_a_whole() -> None:
    """With `only`, just the batch is scored, by verbs learned outside it."""

    def label(source: str) -> eval_blameless.Label:
        return eval_blameless.Label(source, "c" * 40, "pm.md", source[-1] * 16, "blame", "-", "-")

    found = {label(f"someone/{n}"): f"I clobbered the {n}." for n in ("a", "b", "c", "d")}
    each = eval_blameless.held_out_rules(found, {})
    assert all(rules == {"blameless-person"} for rules in each.values())
    batch = eval_blameless.held_out_rules(found, {}, frozenset({"someone/a", "someone/b"}))
    scored = {lb.source: rules for lb, rules in batch.items()}
    assert scored == {"someone/a": set(), "someone/b": set()}


def test_evaluation_of_a_batch_counts_only_its_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors, commit = _mirror(tmp_path)
    shutil.copytree(mirrors / "someone+outages", mirrors / "other+outages")
    blaming = eval_blameless.sentence_hash("I forgot to renew the certificate.")
    clean = eval_blameless.sentence_hash("The proxy then failed.")
    labels = tmp_path / "labels.tsv"
    labels.write_text(
        "\n".join(
            [
                f"someone/outages\t{commit}\tpm.md\t{blaming}\tblame\tblameless-person\tself",
                f"someone/outages\t{commit}\tpm.md\t{clean}\tok\t-\t-",
                f"other/outages\t{commit}\tpm.md\t{blaming}\tok\t-\t-",
                f"nobody/gone\t{commit}\tpm.md\t{clean}\tok\t-\t-",
            ]
        ),
        encoding="utf-8",
    )
    argv = [str(mirrors), "--labels", str(labels), "--only", "someone/outages"]
    assert eval_blameless.main(argv) == 0
    out = capsys.readouterr().out
    assert "other/outages" not in out and "nobody/gone" not in out
    assert "2 sentences, 1 blaming; precision 1.00 (1/1), recall 1.00 (1/1)" in out
    assert eval_blameless.main([*argv[:3], "--only", "nobody/gone"]) == 2
    assert "--only: no readable label for nobody/gone" in capsys.readouterr().err


def test_the_shipped_labels_are_pointers_not_text() -> None:
    """Every label row is a pointer: repository, 40-hex commit, path, 16-hex hash."""
    labels = eval_blameless.read_labels(eval_blameless.LABELS)
    assert len({lb.source for lb in labels}) >= 15
    for lb in labels:
        assert len(lb.commit) == 40 and len(lb.sha) == 16, lb
        assert lb.label in ("blame", "named", "ok"), lb


def test_a_name_found_by_guilt_is_pointed_at_and_left_out_of_the_rewrite() -> None:
    body = "In the end Ottilie Brandt, feeling guilty for the outage, rolled it back.\n"
    text = page(body)
    (finding,) = review(text)
    assert spots([finding]) == [("blameless-person", *place(text, "Ottilie Brandt"))]
    suggested = finding.message.split(", e.g. ", 1)[1]
    assert "Ottilie" not in suggested and "Brandt" not in suggested, suggested
    assert "the <role>" in suggested


def test_a_slip_without_its_subject_is_pointed_at_with_a_rewrite_about_the_system() -> None:
    text = page("Forgot to revoke the token before the release.\n")
    (finding,) = review(text)
    assert spots([finding]) == [("blameless-person", *place(text, "Forgot"))]
    assert "no release step asks for it" in finding.message


def test_a_contracted_pronoun_is_the_subject_pointed_at() -> None:
    """ "I've" is the writer, not a subject left out."""
    text = page("I've accidentally truncated the ledger.\n")
    (finding,) = review(text)
    assert spots([finding]) == [("blameless-person", *place(text, "I've"))]


CONFESSION = "I forgot the dry-run flag, my fault entirely.\n"


@pytest.mark.parametrize(
    ("act", "word"),
    [
        ("Then I deleted the customer table while cleaning up.", "I deleted"),
        ("The user rebuilt the script, and I deleted it.", "I deleted"),
        ("By noon I had lost the last week of uploads.", "I had"),
    ],
)
def test_the_writers_destroying_act_blames_in_a_write_up_that_owns_a_slip(
    act: str, word: str
) -> None:
    """In a write-up whose writer owns a slip elsewhere, their plain
    destroying act is the slip's account, and the message says what to
    write instead."""
    text = page(CONFESSION + act + "\n")
    findings = review(text)
    assert spots(findings)[1:] == [("blameless-person", *place(text, word))]
    assert "whose prompt did not show the environment" in findings[1].message


@pytest.mark.parametrize(
    "body",
    [
        # a timeline whose writer owns no slip: the same act is a step
        "At 10:02 I deleted the customer table while cleaning up.\nAt 10:05 I restored it.\n",
        "By noon I had lost the last week of uploads to the disk failure.\n",
        # a confession, with an act imagined or done by the team
        CONFESSION + "If I deleted the table again, the restore would take an hour.\n",
        CONFESSION + "We deleted the stale replicas after the restore.\n",
    ],
)
def test_a_destroying_act_stays_a_step_outside_a_confession(body: str) -> None:
    owned = 1 if body.startswith(CONFESSION) else 0
    assert len(review(page(CONFESSION))) == 1
    assert len(review(page(body))) == owned, body


@pytest.mark.parametrize(
    "item", ["- Missed iframe resizing on attachments.", "- Didn't question the timeout values."]
)
def test_a_slip_listed_without_a_subject_blames_in_a_write_up_that_owns_a_slip(item: str) -> None:
    """A list of the writer's slips reads as verbs where the writer owns a
    slip; the same item in a write-up that owns none may name things
    ("Missed alerts") or a plan ("Didn't migrate the old tables")."""
    text = page(CONFESSION + "\n" + item + "\n")
    assert spots(review(text))[1:] == [("blameless-person", *place(text, item[2:].split()[0]))]
    assert review(page("The checks ran.\n\n" + item + "\n")) == []


def test_a_state_or_a_failure_denied_stays_quiet_in_a_confession() -> None:
    body = CONFESSION + "\n- Tried a restart. Didn't work.\n- Didn't have a second disk.\n"
    assert len(review(page(body))) == 1


def test_a_verb_after_and_shares_a_subject_past_a_determiner() -> None:
    """ "that" after a verb points at a thing ("created that slot"); it
    starts no clause of its own between the writer and their slip."""
    text = page("I created that replication slot on a hack day and forgot about it.\n")
    assert spots(review(text)) == [("blameless-person", *place(text, "I created"))]
    assert review(page("I created that replication slot on a hack day and it filled up.\n")) == []


def test_a_named_persons_costly_choice_is_rewritten_without_the_name() -> None:
    text = page("Anja's decision to build our own CDN cost us three weeks.\n")
    (finding,) = review(text)
    assert spots([finding]) == [("blameless-person", *place(text, "Anja's"))]
    assert "Anja" not in finding.message.split(", e.g. ", 1)[1]


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("We were too proud to ask the vendor for help.", "The queue was too small for the load."),
        ("We were naive about the quota.", "The parser is naive about nested quotes."),
        ("The contractors got too attached to the old design.", "We were too late to stop it."),
        ("Me being lazy, the threshold stayed at last year's value.", "The cache is lazy."),
        ("I'm lazy about reading changelogs.", "We were not lazy about the rollback."),
    ],
)
def test_a_trait_said_of_a_person_is_a_verdict_and_of_a_thing_is_not(
    blaming: str, neutral: str
) -> None:
    """A trait through a copula judges the person it is said of; "too"
    makes any trait a failing, unless it grades a circumstance ("too late")."""
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("Two of our members were less active after the midterm.", "The shard was less active."),
        ("We weren't organised in the second sprint.", "The files weren't organised by date."),
    ],
)
def test_a_virtue_denied_to_a_person_is_a_verdict(blaming: str, neutral: str) -> None:
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("Our planning was lazy from the first week.", "The planning tool was slow."),
        ("My poor time management cost the sprint.", "Poor time management tools were the cause."),
        ("Her attitude was a bit too relaxed for a launch.", "The rollout was too big."),
        ("We did a poor job of testing the restore.", "The linter did a poor job of parsing it."),
    ],
)
def test_a_judging_word_on_what_a_person_owns_of_the_work_is_a_verdict(
    blaming: str, neutral: str
) -> None:
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("We rarely kept to the sprint deadlines.", "The supplier did not meet the deadline."),
        ("Our team had trouble meeting deadlines all term.", "The deadline moved to Friday."),
        ("My lack of knowledge of the scheduler caused it.", "A lack of knowledge base articles."),
    ],
)
def test_a_teams_conduct_or_a_lack_it_owns_is_a_verdict(blaming: str, neutral: str) -> None:
    """Deadlines not kept by people, and a quality a person owns the lack of,
    judge them; a deadline a thing missed, or a lack no one owns, does not."""
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("I paged nobody before the cutover, and that was a bad call.", "It is a bad idea to pin."),
        (
            "He admitted making the wrong decision on the failover.",
            "The wrong decision was logged.",
        ),
    ],
)
def test_a_persons_act_or_choice_judged_after_it_is_a_verdict(blaming: str, neutral: str) -> None:
    """ "that was a bad call" after a person's act, and "making the wrong
    decision", judge the person; a choice judged in general does not."""
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("We migrated far too fast last spring.", "The shards migrated far too fast."),
        ("I waited too long before asking for a review.", "It took too long to restore."),
    ],
)
def test_too_on_the_pace_of_a_persons_act_is_a_verdict(blaming: str, neutral: str) -> None:
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("Our team is bad at handing over shifts.", "The signal was bad at the edge nodes."),
        ("Poor tagging on our part broke the release.", "A mistake on our part, since fixed."),
    ],
)
def test_a_skill_judged_or_a_judged_act_owned_after_it_is_a_verdict(
    blaming: str, neutral: str
) -> None:
    """ "bad at" judges a person's skill; a judging word before "on our
    part" judges the team's act, where a slip it owns is told as a step."""
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("That was a mistake.", "It was a mistake in the parser."),
        ("This was a $50+ mistake.", "The file that was a mistake to keep is gone."),
        ("That was a costly mistake.", "It was a trivial HTML mistake that did the trick."),
        (
            "So it wasn't a great idea to make the levels that hard.",
            "It was a great idea to add retries.",
        ),
        (
            "A shooter where you play the villain was probably a bad idea in the first place.",
            "Pinning the version is a bad idea to skip, and sleep would be a good idea.",
        ),
    ],
)
def test_a_choice_pointed_at_and_judged_after_it_is_a_verdict(blaming: str, neutral: str) -> None:
    """ "That was a mistake." and a past choice judged ("it wasn't a great
    idea to") blame whoever chose; a mistake in a thing, praise, and advice
    in the present or the conditional do not."""
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("I didn't know what the hell I was doing.", "I didn't know what the job was doing."),
        ("I have no idea what I am doing.", "If you have no idea what you're doing, ask."),
        ("I had no understanding of the system.", "The wizard helps users with no experience."),
        (
            "It stemmed from the team's limited experience with debugging.",
            "It stemmed from the pool's limited capacity.",
        ),
        (
            "My understanding of the old codebase was extremely limited.",
            "My experience with their support was poor.",
        ),
    ],
)
def test_knowledge_or_skill_denied_its_owner_is_a_verdict(blaming: str, neutral: str) -> None:
    """The writer's or a team's knowledge judged lacking blames them; a
    thing's limits, a generic "you" and another's service do not."""
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        (
            "The team did not work together anywhere near as well as last term.",
            "The replicas did not work together after the upgrade.",
        ),
        ("We didn't collaborate at all on the design.", "The services didn't coordinate locks."),
        (
            "The operations and tech team did not work closely together.",
            "The two caches did not work closely together.",
        ),
    ],
)
def test_working_together_denied_a_team_is_a_verdict(blaming: str, neutral: str) -> None:
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("blaming", "neutral"),
    [
        ("I thought trust was enough.", "I thought the disk was full."),
        ("I thought I knew it all.", "I thought it was enough to restart the pod."),
        ("We thought we understood the failover.", "He thought the quota was enough."),
    ],
)
def test_the_writers_belief_in_their_knowledge_told_as_past_is_a_verdict(
    blaming: str, neutral: str
) -> None:
    """ "I thought I knew it all" judges the writer's knowledge; a belief
    about a thing, or a step thought enough, is told."""
    _flags_only_the_blaming(blaming, neutral)


def _under(heading: str, *items: str, before: str = "") -> str:
    """A postmortem with `items` listed under `heading`."""
    listed = "".join(f"- {item}\n" for item in items)
    return page(f"{before}We moved the queue to the new cluster.\n\n{heading}\n\n{listed}")


@pytest.mark.parametrize(
    "item",
    [
        "Ran the migration without a dry run.",
        "Skipped code review on the hotfix.",
        "Didn't run the load test.",
        "No backup branch created.",
        "Pushed the config straight to main.",
    ],
)
def test_a_slip_listed_without_a_subject_under_a_heading_of_slips_blames(item: str) -> None:
    """Under "What went wrong" a fragment with a person's act at its head is
    the writer's slip; the same fragment in a timeline is a step."""
    text = _under("## What went wrong", item)
    assert spots(review(text)) == [("blameless-person", *place(text, item.split()[0]))]
    assert review(_under("## Timeline", item)) == [], item


@pytest.mark.parametrize(
    "item",
    [
        "Server ran out of memory.",
        "Disk full on the primary.",
        "Ran out of disk on the replica.",
        "No backup was created before the deploy.",
        "Executed as part of the nightly test suite.",
        "No alerting on queue depth.",
    ],
)
def test_a_systems_fault_under_a_heading_of_slips_stays_quiet(item: str) -> None:
    assert review(_under("## What went wrong", item)) == [], item


@pytest.mark.parametrize(
    "heading",
    ["**Mistakes**", "What went badly:", "### Regrets", "## Where we failed"],
)
def test_bold_lines_and_labels_act_as_headings_of_slips(heading: str) -> None:
    text = _under(heading, "Skipped code review on the hotfix.")
    assert spots(review(text)) == [("blameless-person", *place(text, "Skipped"))]


@pytest.mark.parametrize(
    "heading", ["## What went well", "## What the agent did wrong", "## Mistakes we avoided"]
)
def test_headings_that_list_no_slips_of_the_writer_leave_fragments_alone(heading: str) -> None:
    assert review(_under(heading, "Skipped code review on the hotfix.")) == [], heading


def test_the_voice_of_the_write_up_says_whose_slip_a_fragment_is() -> None:
    """A fragment is the writer's in a write-up in the first person singular,
    the team's in one that says "we"; each message says what to write instead."""
    (mine,) = review(
        _under("## Mistakes", "Skipped code review.", before="I own this service.\n\n")
    )
    assert "its prompt did not show the target" in mine.message
    (ours,) = review(_under("## Mistakes", "Skipped code review.", before="We own it.\n\n"))
    assert "the pipeline had no path for urgent changes" in ours.message


def test_lessons_learned_lists_slips_only_in_a_write_up_that_owns_one() -> None:
    item = "Pushed the config straight to main."
    assert review(_under("## Lessons learned", item)) == []
    text = _under("## Lessons learned", item, before=CONFESSION + "\n")
    assert spots(review(text))[1:] == [("blameless-person", *place(text, "Pushed"))]


@pytest.mark.parametrize(
    ("heading", "word"),
    [
        ("## Mistake #3: Too focused on the technology", "Too"),
        ("## Mistake 1: Starting without talking to users", "Starting"),
        ("### Mistake #7: Not talking to users before the launch", "Not talking"),
    ],
)
def test_a_numbered_mistake_heading_that_tells_an_act_of_ours_blames(
    heading: str, word: str
) -> None:
    text = page(f"{heading}\n\nThe app shipped in May.\n")
    assert spots(review(text)) == [("blameless-person", *place(text, word))]


def test_a_numbered_mistake_heading_that_names_a_thing_stays_quiet() -> None:
    assert review(page("## Mistake #5: The launch party\n\nThe app shipped in May.\n")) == []


def test_a_sentence_read_alone_is_found_under_its_heading_in_the_evaluation() -> None:
    """The evaluation reads each sentence alone, with its document's Markdown."""
    from mkdocs_postmortems.check.blameless import sentence_rules
    from mkdocs_postmortems.check.blameless_sections import DocumentWords

    markdown = (
        "# Outage\n\n## What went wrong\n\n- Skipped code review\n\n## Timeline\n\n- Ran it\n"
    )
    common = DocumentWords(" ".join(markdown.split()), markdown)
    assert sentence_rules("Skipped code review", common=common) == {"blameless-person"}
    assert (
        sentence_rules("Skipped code review", common=DocumentWords("Skipped code review")) == set()
    )


def test_a_title_of_lessons_or_a_checklist_lists_no_slips() -> None:
    """A title frames the whole write-up, timeline included; a checklist's
    items are still to do."""
    item = "Launched the training run on a spot instance."
    body = f"# Lessons learned\n\n{CONFESSION}\n## What happened\n\n- {item}\n"
    assert len(review(page(body))) == 1
    assert review(_under("## What went wrong", "[ ] Tested the restore from backup.")) == []


# Hindsight and the team's own practice (issue 25, seventh round): each
# blaming sentence with its nearest neutral twin.
HINDSIGHT_PAIRS = [
    # an adverb between the modal's "have" and the act; not a thing's need
    (
        "We should have actually read the upgrade notes before the migration.",
        "The replica should have actually three disks, as the plan says.",
    ),
    (
        "I should have probably paused the rollout after the first error.",
        "The job should have probably three retries next time.",
    ),
    # a role's act; not a product's, whose name reads as a person's
    (
        "The reviewer should have actually read the upgrade notes.",
        "Postgres should have actually released the lock.",
    ),
    # the subject left out, as lists of lessons do; not a requirement's label
    # nor a system's duty after a label on its line
    (
        "- Should have tested the restore before the launch.",
        "- Should have: a tested restore before the launch.",
    ),
    (
        "- Could've asked the database team for a review first.",
        "- Could have lost a day of work without the nightly backup.",
    ),
    (
        "- Should have tested the restore before the launch.",
        "- Canary failed: Should have caught the bad config before the rollout.",
    ),
    (
        "- Should have tested the restore before the launch.",
        "- Should have detected the memory leak above 8GB per worker.",
    ),
    # a team's "could have" with an act of its own; not a harm spared or a hope
    (
        "We could have set up the staging cluster a week before the launch.",
        "We could have lost three days of work without the nightly backup.",
    ),
    (
        "We could have kept the old endpoint until the clients moved.",
        "The best thing we could have hoped for was a quiet weekend.",
    ),
    # the writer graded against what they were; not a thing graded
    (
        "I would have been more thorough with the sign-offs.",
        "The disk would have been more than enough for the month.",
    ),
    # a wish about one's own past act; not a state wished for
    (
        "I wish I had spent more time on the load test.",
        "I wish we had more disks in the old cluster.",
    ),
    (
        "I wish we realised the quota was per region sooner.",
        "Things I wish I knew before my first on-call week.",
    ),
    # the team's own condition, contracted, past an adverb; not a thing had
    (
        "If we'd just paused the rollout, the queue would have drained.",
        "If we'd more disks, the queue would have drained.",
    ),
    # a harm judged sparable; not a kind of thing, nor a question
    (
        "This outage was completely preventable.",
        "Is this class of outage preventable at all?",
    ),
    # a question of self-doubt about one's own act; not a plain question
    (
        "Did we underestimate the work the migration would take?",
        "Did we get all the expected records?",
    ),
    # a team's practice denied its measure; not a thing's
    (
        "We were not monitoring the queue closely enough after the deploy.",
        "Our logging was not detailed enough to diagnose the problem.",
    ),
]


@pytest.mark.parametrize(("blaming", "neutral"), HINDSIGHT_PAIRS)
def test_hindsight_about_our_own_acts_blames_and_its_twin_does_not(
    blaming: str, neutral: str
) -> None:
    _flags_only_the_blaming(blaming, neutral)


@pytest.mark.parametrize(
    ("sentence", "rule", "word"),
    [
        ("We should have first told the support team.", "blameless-counterfactual", "should"),
        ("- Should have asked for the logs right away.", "blameless-counterfactual", "Should"),
        ("I wish I had asked for help.", "blameless-counterfactual", "wish"),
        ("Did we spend the budget on entirely the wrong features?", "blameless-judgement", "Did"),
        ("Did I underestimate the migration?", "blameless-person", "Did"),
        ("We were not testing often enough.", "blameless-judgement", "not"),
        ("The outage was entirely avoidable.", "blameless-counterfactual", "avoidable"),
    ],
)
def test_hindsight_points_at_its_word_under_its_rule(sentence: str, rule: str, word: str) -> None:
    text = page(sentence + "\n")
    assert spots(review(text)) == [(rule, *place(text, word))]


def test_hindsight_names_no_one_in_the_rewrite_it_proposes() -> None:
    """Each message says what to write instead, and never with the person's name."""
    (finding,) = review(page("The reviewer should have actually read the notes Marta sent.\n"))
    assert finding.rule == "blameless-counterfactual"
    assert " instead of " in finding.message
    assert "Marta" not in finding.message
