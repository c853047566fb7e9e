"""One FastAPI router per resource: the loop's runs, the models, classification and health."""
