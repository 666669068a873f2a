"""Read models fed from the bus: each service's projection database and its consumer inbox."""
