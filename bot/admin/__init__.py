"""Running the newsroom: the admin room shared by the admin chat commands and the CLI.

`desk.AdminDesk` composes one desk per area (feeds, channels, broadcasts, stories, backup
and OPML); `wiring` builds it from the config for the composition root and the CLI.
"""
