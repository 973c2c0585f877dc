"""The hearing's transcript as an editable, attributed, durable document (issue 4).

Pure parts: :mod:`model` (values), :mod:`policy` (who may change what), :mod:`export` and
:mod:`pdf` (TXT/JSON/SRT/VTT and the court-format PDF). The document: :mod:`ydoc` (pycrdt, the Yjs
wire format). I/O: :mod:`actions` (validate → apply → persist → ack → broadcast), :mod:`store`
(the append-only log in the database) and :mod:`fanout` (the sockets of one hearing).
"""
