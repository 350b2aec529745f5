"""The Django project: content database, staff app, and the page to chat in the browser."""
