"""Electronic service of documents (送达, issue 17): serving a document on recipients by SMS,
e-mail, post or collection in person, each service's state machine, the parties' consent to
electronic service (送达地址确认书), retries on the platform's durable work and the sealed proof of
service (送达回证) filed into the dossier by event. A side service: ``delivery.service``."""
