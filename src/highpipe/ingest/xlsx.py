"""XLSX review files, read with openpyxl in read-only mode (streaming, cached formula values).

Only the first (active) sheet is read. The header is the first non-empty row; row numbers are the sheet's
own (what Excel shows on the left). Cells keep their types: numbers, datetimes, text. Cells to the right of
the header are ignored (notes beside the table are common).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from highpipe.ingest.errors import FileFormatError
from highpipe.ingest.tabular import Cell, Table, check_zip_size


def read_xlsx(payload: bytes, expanded_limit: int | None) -> Table:
    check_zip_size(payload, expanded_limit)
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileFormatError(
            f"XLSX 파일을 열 수 없습니다 ({type(exc).__name__}). / The XLSX file cannot be opened ({exc})."
        ) from exc
    try:
        sheet: Any = workbook.active if workbook.active is not None else workbook.worksheets[0]
        table = Table(format="xlsx", encoding="utf-8", columns=[])
        width = 0
        header_seen = False
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            cells: list[Cell] = [_clean(v) for v in values]
            if not any(c is not None and c != "" for c in cells):
                continue
            if not header_seen:
                while cells and (cells[-1] is None or cells[-1] == ""):
                    cells.pop()  # trailing blank header cells are formatting, not columns
                table.columns = ["" if c is None else str(c).strip() for c in cells]
                width = len(table.columns)
                header_seen = True
                continue
            if len(cells) < width:
                cells.extend([None] * (width - len(cells)))
            table.rows.append((line, cells[:width]))
        return table
    finally:
        workbook.close()


def _clean(value: object) -> Cell:
    if isinstance(value, str):
        return value.strip() or None
    return value
