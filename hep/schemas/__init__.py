"""marshmallow schemas: ``...In`` validates a request body (unknown fields refused),
``...Out`` shapes a response. Views go request -> In.load -> domain -> Out.dump."""
