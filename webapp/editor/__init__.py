"""The content editor: staff write, review, publish and restore answers and facts."""
