"""Reports (报告) of the ledger for a unit or the whole campus: an XLSX workbook, a self-contained
HTML report and its PDF, with charts and offscreen-rendered floor images.

* :mod:`.data` gathers the figures (pure data);
* :mod:`.xlsx`, :mod:`.html` and :mod:`.pdf` write them;
* :mod:`.images` renders storeys with PyVista, over-standard rooms in red;
* :mod:`.build` picks the format and names the file.
"""
