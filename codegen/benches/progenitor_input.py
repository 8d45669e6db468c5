"""Lowers `codegen openapi` output to what cargo-progenitor 0.15 accepts (shared by the bench
scripts that compare with progenitor)."""


def progenitor_input(doc):
    """Lowers our OpenAPI 3.1 document to what progenitor 0.15 accepts, changing nothing an
    operation's Rust surface depends on:

    - `openapi: 3.1.0` -> `3.0.3` (progenitor refuses 3.1; the document uses no 3.1-only schema
      construct),
    - every `x-` extension key is dropped (error rows, rate limits, rules: docs only),
    - an object property whose name differs from another property of the same object only by
      case is dropped (`Delete_goods_id_list` beside `delete_goods_id_list`): progenitor maps
      both to one Rust field and the crate would not compile.
    """
    doc["openapi"] = "3.0.3"

    def walk(x):
        if isinstance(x, dict):
            props = x.get("properties")
            if isinstance(props, dict):
                for k in [k for k in props if k != k.lower() and k.lower() in props]:
                    del props[k]
            return {k: walk(v) for k, v in x.items() if not k.startswith("x-")}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    return walk(doc)
