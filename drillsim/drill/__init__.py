"""Live drills: a wall clock driving the engine, players answering from the console, a journal."""
