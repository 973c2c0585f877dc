"""Tingshen signing: the court's cryptography, a leaf library that imports nothing of the project.

- :mod:`signing.primitives`: strict Ed25519 / ECDSA P-256 (DER and WebCrypto's P1363) / HMAC-SHA256
  wrappers; verification raises :class:`signing.errors.InvalidSignatureError`.
- :mod:`signing.ca`: the court CA (root, issuing CA, TSA and seal certificates; signer issuance),
  with :mod:`signing.identity` for what a signer certificate says about its holder.
- :mod:`signing.tsa`: an RFC 3161 timestamp authority, and a pyHanko ``TimeStamper`` that uses it
  in-process; :mod:`signing.tsa_serials` keeps its serial numbers unique.
- PAdES signing and verification of the transcript PDF build on these (``signing.pades*``,
  ``signing.verify*``).
"""
