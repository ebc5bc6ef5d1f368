def error_code(response):
    """The `code` of an error answer, in the contract's body (`{"type", "errors": [{"code"}]}`)
    or in DRF's own (`{"detail"}`, whose ErrorDetail keeps the code)."""
    data = response.data
    if isinstance(data, dict) and "errors" in data:
        return data["errors"][0]["code"]
    return data["detail"].code
