"""Filing (立案): case numbers by the SPC's rules, the civil cause catalogue, parties' identifiers
and the filing action itself."""
