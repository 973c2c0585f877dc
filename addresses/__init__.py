"""Address look-up from other agencies (健全送达机制, issue 17): the clerk asks for a party's
addresses with the case and a reason; connectors query other agencies' address databases (the
migrant-population registry, the postal address database) over HTTP with signed requests and
timeouts; the results, each with its source and date, are merged and ranked, and one of them
starts a postal service in the delivery service. Every look-up is audited and rate-limited; ID
numbers are kept only as a keyed hash and their last four characters."""
