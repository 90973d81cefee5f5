"""Review: comment threads anchored in a card's text, outside its Yjs document."""
