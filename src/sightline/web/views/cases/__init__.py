"""Case-work pages, one module per area: ``concerns`` (raising, triage), ``screenings``, ``episodes``
(missing episodes and return interviews), ``plans``, ``placements`` and ``investigations``;
``web/urls_cases.py`` routes to each module's views.

Views check the role (``cap_required``) and need to know (selectors that ledger the read), and pass the
form to ``sightline.web.forms.form_view``, which calls ``sightline.cases.services``: every rule about
case work is in those services, whose ValidationErrors come back onto the form's fields.
"""
