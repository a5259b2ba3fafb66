"""HTML pages: Chinese first, English by the toggle; each route calls one service and renders."""
