import IngestPlan
