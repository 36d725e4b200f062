#!/usr/bin/env node
import { main } from '../dist/node.js';

process.exitCode = await main(process.argv.slice(2));
