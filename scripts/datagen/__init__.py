"""Generator v2 for the bundled dataset: content modules (pure data) and the machinery that
assigns templates to splits, fills slots from split-disjoint pools and writes the CSV."""
