"""Appeals (诉求): what residents ask for, and the finder that groups appeals about one matter."""
