"""Streamlit glue shared by dashboard.py and the pages: the cached data (loaders), the
selection in the sidebar and URL (selection), sign-in (access), how things look (display,
styling), and what the writing pages need beyond that (tasks_page, upload_page,
briefing_page). Pages import these and lay out what they return; they hold no SQL and no
formulas."""
