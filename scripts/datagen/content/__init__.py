"""Hand-written content: each module defines POOLS, EXTEND, TEMPLATES and/or DOCUMENTS (pure data)."""
