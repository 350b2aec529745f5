"""Local facts for a municipality from every source the assistant knows, behind one interface.

Sources, in the order they win: the shipped/staff-edited facts (database), Skolverket's
school-unit register (Skolenhetsregistret), Skolverket's planned educations (SFI offerings)
and, as the last resort, the municipality's own web site. Register data is fetched over
HTTP (``bot.facts.http``), kept in a shared cache (``bot.facts.cache``) and looked up without
ever holding a reply longer than the reply budget (``bot.facts.service``).
"""
