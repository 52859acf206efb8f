"""The HT80x device twin: the HT801V2/HT802V2 web API on 127.0.0.1, with documented firmware quirks.

`twin` serves the API and keeps the device's P-values; `twin_pvalues()`, `twin_quirks()` and
`port_count()` are what the line simulation reads.
"""
