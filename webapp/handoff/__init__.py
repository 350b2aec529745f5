"""Hand-off to a person: tickets, routing, office hours and the staff inbox."""
