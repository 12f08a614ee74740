"""What the case-work API reads and writes, one module per area as for the endpoints. ``*In`` and
``*Params`` are request bodies and query strings; ``*Out`` schemas read attributes straight from the
models and the selectors' view objects (``Field(alias="plan.title")`` reaches into a view;
``resolve_*`` only where a value is computed)."""
