"""What the world costs: AWS's public prices (`prices.py`), what the world used on the simulated clock and
the traffic a scenario states (`meter.py`), and the bill made of them (`bill.py`)."""
