"""The catalogue of error codes is the contract's: docs/api.md lists exactly its codes (with
their statuses), the OpenAPI error envelope enumerates them, and every business error carries
one of them with its status."""

import re
from pathlib import Path

from core.api.codes import ErrorCode
from core.api.errors import PlacemateError
from core.api.schema import ERROR_ENVELOPE

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "api.md"
ROW = re.compile(r"^\| (\d{3}) \| `([a-z_]+)` \| (.+) \|$")


def documented_codes() -> dict[str, int]:
    text = DOCUMENT.read_text()
    section = text.split("### Status and error codes", 1)[1].split("\n### ", 1)[0]
    rows = [ROW.match(line) for line in section.splitlines() if line.startswith("| ")]
    rows = [row for row in rows if row]
    codes = {row[2]: int(row[1]) for row in rows}
    assert len(codes) == len(rows), "a code is listed twice"
    return codes


def test_the_document_lists_every_code_of_the_catalogue_and_no_other():
    assert documented_codes() == {code.value: code.status for code in ErrorCode}


def test_the_openapi_error_envelope_enumerates_the_catalogue():
    code = ERROR_ENVELOPE["properties"]["error"]["properties"]["code"]
    assert code["enum"] == [code.value for code in ErrorCode]


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def test_every_business_error_has_a_code_of_the_catalogue_and_its_status(settings):
    # every app's errors are imported by the URL sets
    import config.urls_public
    import config.urls_tenant  # noqa: F401

    errors = [PlacemateError, *subclasses(PlacemateError)]
    assert len(errors) > 10
    for error in errors:
        assert isinstance(error.code, ErrorCode), error
        assert error.status_code == error.code.status, error


def test_the_document_names_no_path_outside_the_repository():
    text = DOCUMENT.read_text()
    assert not re.search(r"/work/|\bshared/|(?<!\.)\.\./", text)
