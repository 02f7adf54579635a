# Sourced by bench/ab.sh and bench/profile-api.sh (from the project root): the API as the bench
# runs it. API_ENV: the environment of bench/run.ts API_ENV (production, limits lifted so that
# only the work is measured). API_NODE_FLAGS: node's flags of `npm run start:prod`, read from
# package.json, the one place they are written for the bench.
API_ENV=(NODE_ENV=production LOG_LEVEL=warn SEED_DEMO=false RATE_LIMIT_POINTS=0 GRAPHQL_MAX_COST=1000000 TRENDING_REFRESH_SECONDS=86400)
read -r -a API_NODE_FLAGS <<< "$(node -p "require('./package.json').scripts['start:prod'].replace(/^node\s+/, '').replace(/\s*dist\/main\.js$/, '')")"
