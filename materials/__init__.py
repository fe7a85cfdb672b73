"""The built-in data library of magnets (grades, compositions, elements, rules)."""
