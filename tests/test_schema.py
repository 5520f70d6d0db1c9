"""The JSON Schema contract in schemas/ is generated from the records and must not drift."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import ROOT
from pydantic import ValidationError

from quotes.records import DocumentResult, Quote
from quotes.schema import drifted, schema_documents


def test_committed_schemas_match_the_records():
    assert drifted(ROOT / "schemas") == [], "run `quotes schema` and commit schemas/"


def test_schema_documents_are_valid_json_schema():
    for name, body in schema_documents().items():
        jsonschema.Draft202012Validator.check_schema(json.loads(body))


def test_records_forbid_unknown_fields_and_backwards_spans():
    with pytest.raises(ValidationError):
        Quote(quote_id="q", text="x", start=5, end=2, kind="direct", confidence=0.5)
    with pytest.raises(ValidationError):
        DocumentResult(doc_id="d", path="p", language="de", unknown=1)


@pytest.mark.models
def test_extract_output_validates_against_the_schema(seed_results):
    schema = json.loads(schema_documents()["document_result.schema.json"])
    for result, _ in seed_results.values():
        jsonschema.validate(json.loads(result.model_dump_json()), schema)
