"""The pre-release review: four reviewer reports built from measured evidence, a consolidated
plan of action items, the approvals a release needs, and the release checklists.
"""
