"""Views, one module per domain. They parse input, check access and call services/selectors."""
