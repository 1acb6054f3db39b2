from ecrsim.cli import main

raise SystemExit(main())
