"""Views of the review pages under /staff/review/, one module per page family."""
