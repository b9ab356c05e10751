"""Reading: front matter, the taxonomy and regimes, and the Postmortem built from them."""
