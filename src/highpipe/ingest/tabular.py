"""Turn the bytes of a review file into a header and rows: gzip, text encodings, CSV/TSV/JSONL/JSON/XLSX.

- gzip: by the gzip magic bytes (a `.gz` suffix is only stripped from the name to find the format).
- Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else CP949 (Korean Excel).
- Format: by extension (`.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson`, `.json`, `.xlsx`/`.xlsm`), else sniffed:
  zip magic -> XLSX, first character `{` -> JSONL, `[` -> a JSON array, else tabs vs commas in the header.
  A `.csv` whose header has tabs and no commas is read as TSV (and the other way round).
- Line numbers are what a person sees: the spreadsheet row for CSV/TSV/XLSX (the header is row 1, a quoted
  field spanning lines is still one row), the physical line for JSONL, the 1-based item for a JSON array.
- Limits: a gzip or XLSX may expand to at most EXPANSION_FACTOR x max_bytes (zip-bomb guard).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Final, Literal

from highpipe.ingest.errors import FileFormatError, FileTooLarge, RowError

EXPANSION_FACTOR: Final = 20
_GZIP_MAGIC: Final = b"\x1f\x8b"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"
_EXTENSIONS: Final = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}

Cell = object


@dataclass(slots=True)
class Table:
    format: str
    encoding: str
    columns: list[str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _expansion_limit(max_bytes: int | None) -> int | None:
    return None if max_bytes is None else max_bytes * EXPANSION_FACTOR


def gunzip(data: bytes, max_bytes: int | None) -> bytes:
    limit = _expansion_limit(max_bytes)
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read() if limit is None else stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise FileFormatError(
            f"gzip 압축을 풀 수 없습니다 ({exc}). / The gzip file cannot be decompressed ({exc})."
        ) from exc
    if limit is not None and len(out) > limit:
        raise FileTooLarge(len(out), limit, expanded=True)
    return out


def decode_text(payload: bytes) -> tuple[str, str]:
    """(text, encoding name): utf-8-sig, utf-16, utf-8 or cp949."""
    try:
        if payload.startswith(codecs.BOM_UTF8):
            return payload[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        if payload.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return payload.decode("utf-16"), "utf-16"
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            "파일이 표시한 인코딩과 내용이 맞지 않습니다. UTF-8 로 다시 저장해 주세요. / "
            f"The file's byte-order mark does not match its content ({exc.reason}); save it again as UTF-8."
        ) from exc
    for encoding in ("utf-8", "cp949"):
        try:
            return payload.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileFormatError(
        "글자 인코딩을 알 수 없습니다 (UTF-8 도 CP949 도 아님). UTF-8 로 저장해 주세요. / "
        "Unknown text encoding (neither UTF-8 nor CP949); please save the file as UTF-8."
    )


def _base_suffix(filename: str | None) -> str:
    if not filename:
        return ""
    name = PurePath(filename).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return PurePath(name).suffix


def read_table(payload: bytes, filename: str | None, max_bytes: int | None) -> Table:
    """Parse already-gunzipped bytes. Raises FileFormatError / FileTooLarge for the file as a whole."""
    if not payload.strip():
        raise FileFormatError("파일이 비어 있습니다. / The file is empty.")
    if payload.startswith(_OLE_MAGIC):
        raise FileFormatError(
            "예전 엑셀(.xls) 형식은 읽을 수 없습니다. XLSX 나 CSV 로 저장해 주세요. / "
            "Legacy Excel (.xls) files are not supported; save the sheet as .xlsx or .csv."
        )
    kind = _EXTENSIONS.get(_base_suffix(filename))
    if kind == "xlsx" or payload.startswith(_ZIP_MAGIC):
        from highpipe.ingest.xlsx import read_xlsx  # openpyxl is only imported when needed

        return read_xlsx(payload, _expansion_limit(max_bytes))
    text, encoding = decode_text(payload)
    first = text.lstrip()[:1]
    if kind is None:
        kind = "jsonl" if first == "{" else "json" if first == "[" else "delimited"
    if kind == "json" and first == "{":
        kind = "jsonl"  # a .json file holding one object per line
    if kind == "jsonl":
        return _read_jsonl(text, encoding)
    if kind == "json":
        return _read_json_array(text, encoding)
    header = next((line for line in text.splitlines() if line.strip()), "")
    tabs, commas = header.count("\t"), header.count(",")
    if kind == "delimited":
        kind = "tsv" if tabs > commas else "csv"
    elif kind == "csv" and tabs and not commas:
        kind = "tsv"
    elif kind == "tsv" and commas and not tabs:
        kind = "csv"
    return _read_delimited(text, encoding, kind)


def _parse_delimited(text: str, delimiter: str, quoting: Literal[0, 1, 2, 3]) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    table = Table(format="", encoding="", columns=[])
    width = 0
    line = 0
    header_seen = False
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line += 1
            table.errors.append(RowError(line, f"행을 읽을 수 없습니다: {exc} / Unreadable row: {exc}"))
            continue
        line += 1
        if not any(cell.strip() for cell in record):
            continue  # a blank row: neither data nor an error
        if not header_seen:
            table.columns = [cell.strip() for cell in record]
            width = len(record)
            header_seen = True
            continue
        if len(record) != width:
            # Excel sometimes pads rows with empty cells beyond the header; only that is forgiven.
            if len(record) > width and not any(cell.strip() for cell in record[width:]):
                record = record[:width]
            else:
                table.errors.append(
                    RowError(
                        line,
                        f"칸 수가 맞지 않습니다 (머리글 {width}칸, 이 행 {len(record)}칸). / "
                        f"Wrong number of fields (the header has {width}, this row {len(record)}).",
                    )
                )
                continue
        table.rows.append((line, list(record)))
    return table


def _read_delimited(text: str, encoding: str, kind: str) -> Table:
    delimiter = "\t" if kind == "tsv" else ","
    table = _parse_delimited(text, delimiter, csv.QUOTE_MINIMAL)
    if '"' in text:
        # A stray quote (`"최고 좋아요` with no closing quote) silently swallows the following lines. Files
        # that never quote read correctly with quoting off; a file that really quotes (multi-line fields,
        # commas in text) gives broken rows that way. Keep the unquoted reading only when it accepts more
        # rows without adding errors.
        plain = _parse_delimited(text, delimiter, csv.QUOTE_NONE)
        if (
            plain.columns == table.columns
            and len(plain.rows) > len(table.rows)
            and len(plain.errors) <= len(table.errors)
        ):
            table = plain
    table.format = kind
    table.encoding = encoding
    return table


def _objects_to_table(objects: list[tuple[int, dict[str, Cell]]], table: Table) -> Table:
    seen: dict[str, None] = {}
    for _, obj in objects:
        for key in obj:
            seen.setdefault(key, None)
    table.columns = list(seen)
    table.rows = [(line, [obj.get(key) for key in table.columns]) for line, obj in objects]
    return table


def _read_jsonl(text: str, encoding: str) -> Table:
    table = Table(format="jsonl", encoding=encoding, columns=[])
    objects: list[tuple[int, dict[str, Cell]]] = []
    for line, raw in enumerate(text.split("\n"), start=1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            table.errors.append(
                RowError(line, f"JSON 형식이 잘못되었습니다: {exc.msg} / Malformed JSON: {exc.msg}")
            )
            continue
        if not isinstance(obj, dict):
            table.errors.append(
                RowError(line, "JSON 객체({...})가 아닙니다. / The line is not a JSON object ({...}).")
            )
            continue
        objects.append((line, obj))
    return _objects_to_table(objects, table)


def _read_json_array(text: str, encoding: str) -> Table:
    table = Table(format="json", encoding=encoding, columns=[])
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"JSON 형식이 잘못되었습니다 ({exc.lineno}번째 줄): {exc.msg} / "
            f"Malformed JSON at line {exc.lineno}: {exc.msg}"
        ) from exc
    if not isinstance(items, list):
        raise FileFormatError(
            "JSON 파일은 객체의 배열이어야 합니다. / A JSON file must be an array of objects."
        )
    objects: list[tuple[int, dict[str, Cell]]] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            objects.append((number, item))
        else:
            table.errors.append(
                RowError(number, "JSON 객체({...})가 아닙니다. / The item is not a JSON object ({...}).")
            )
    return _objects_to_table(objects, table)


def check_zip_size(payload: bytes, limit: int | None) -> None:
    """Refuse an XLSX whose members would expand past the limit, before openpyxl inflates anything."""
    if limit is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise FileFormatError(
            f"XLSX 파일이 손상되었습니다 ({exc}). / The XLSX file is damaged ({exc})."
        ) from exc
    if total > limit:
        raise FileTooLarge(total, limit, expanded=True)
