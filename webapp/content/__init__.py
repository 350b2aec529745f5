"""Answer content and municipality facts: versioned, per municipality and language."""
