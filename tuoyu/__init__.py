"""托育示范城市创建监测: shared logic for the dashboard, the CLI and the briefing."""
