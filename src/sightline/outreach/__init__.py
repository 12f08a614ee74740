"""Outreach: from an alert to a child reached. A coordinator assigns outreach to a worker or team, the
worker records each attempt (with the child's consent and wishes), and a decline is answered by a
ledgered decision rather than pursued blindly. ``selectors.funnel`` measures it for the board."""
