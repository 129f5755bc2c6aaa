"""The steps of a release, one class each (`release.plan` puts them in order): what a step
belongs to, its status and why from a snapshot, its title, and how it applies itself.
"""
