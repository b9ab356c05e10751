"""The site: its model, pages, charts, feed, exports, and the authoring and audit tools."""
