"""The one error of the fee documents: data that cannot make a correct document.

::

    FeesError (fees.errors)
    └── DocumentDataError   a document's data is inconsistent (no payer, a deadline before the
                            notice, a notice code that is not digits, a negative amount)

Raised when the document's dataclass is built, so a PDF is never made from bad data.
"""

from __future__ import annotations

from fees.errors import FeesError

__all__ = ["DocumentDataError"]


class DocumentDataError(FeesError):
    """A notice, receipt or refund whose data would print a wrong document."""
