"""Site stage: catalogue, feeds and the pages a reader lands on."""
