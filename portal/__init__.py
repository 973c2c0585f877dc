"""The party portal (电子诉讼平台, issue 17): real-name accounts of parties and lawyers, their
cases and served documents, signing for receipt, online file review (网上阅卷) and the public
look-up of documents awaiting service (司法送达). A side service (``service.create_service``)."""
