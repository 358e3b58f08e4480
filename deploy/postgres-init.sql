-- One database per service: each service owns its tables and nothing else.
CREATE DATABASE chorus_ingest;
CREATE DATABASE chorus_router;
CREATE DATABASE chorus_responder;
CREATE DATABASE chorus_analytics;
