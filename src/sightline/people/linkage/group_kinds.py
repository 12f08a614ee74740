"""The kinds of review group (``review_groups``) and how pages name them; no imports, so pages and
models can use them without loading the linkage engine."""

HOUSEHOLD = "household"
PEOPLE = "people"
KIND_LABELS = {
    HOUSEHOLD: "Likely relatives at one address: different given names or births",
    PEOPLE: "The same two groups of records, asked again",
}
