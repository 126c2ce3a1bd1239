"""The one database Arrangeur keeps: where it is (`database`), the declarative base every table
maps onto (`base`) and its migrations (`migrate`, `migrations/`). A leaf of the engine: the
caseload, the accounts and the rule store build on it; it imports none of them."""
