"""Limits every request shares, stated on the document once it is built: the server refuses (400)
text holding a NUL character or a lone surrogate anywhere in a body or a query (PostgreSQL stores
neither), so every free-text string a client sends carries the pattern that says so. (OpenAPI 3.0
cannot constrain the names of properties a body may add: `additionalProperties` bodies say it in
words.)"""

# JSON Schema's ECMA-262 pattern: no NUL. (A lone surrogate is not a character a schema can name;
# generators never produce one, and the server answers 400.)
NO_NUL = "^[^\\u0000]*$"
# Strings whose format already excludes a NUL.
FORMATTED = {"date", "date-time", "binary"}


def _text(schema: dict) -> bool:
    return (
        schema.get("type") == "string"
        and "enum" not in schema
        and "pattern" not in schema
        and schema.get("format") not in FORMATTED
    )


def _walk(schema: dict, schemas: dict, seen: set[str]) -> None:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen and name in schemas:
            seen.add(name)
            _walk(schemas[name], schemas, seen)
        return
    if _text(schema):
        schema["pattern"] = NO_NUL
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            _walk(part, schemas, seen)
    for part in (schema.get("properties") or {}).values():
        _walk(part, schemas, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _walk(schema[key], schemas, seen)
    if schema.get("type") == "object" and schema.get("additionalProperties", True) is not False:
        note = "No text in it, property names included, may hold a NUL character or a lone surrogate (400)."
        schema["description"] = f"{schema['description']} {note}" if schema.get("description") else note


def _query(parameter: dict) -> None:
    """A query parameter: free text refuses a NUL; a choice may also be empty, which the server
    reads as absent (API.md writes `?status=&step=`: support.choice)."""
    schema = parameter.get("schema", {})
    if parameter.get("in") != "query":
        return
    if _text(schema):
        schema["pattern"] = NO_NUL
    elif schema.get("type") == "string" and "enum" in schema and "" not in schema["enum"]:
        schema["enum"] = [*schema["enum"], ""]


def state_text_limits(doc: dict) -> None:
    """Mark every free-text string of a request body and of a query parameter; let every query
    choice be empty."""
    schemas = doc["components"]["schemas"]
    seen: set[str] = set()
    for item in doc["paths"].values():
        for operation in item.values():
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                _walk(content["schema"], schemas, seen)
            for parameter in operation.get("parameters", []):
                _query(parameter)
    for parameter in doc["components"]["parameters"].values():
        _query(parameter)
