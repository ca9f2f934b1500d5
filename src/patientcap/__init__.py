"""Patient Capital (耐心资本): a science city's technology-finance programmes, end to end."""
