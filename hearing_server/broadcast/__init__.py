"""Public broadcast of a hearing (庭审公开, issue 13): HLS behind a delay, a delayed transcript."""
