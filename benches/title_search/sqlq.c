// sqlq DB SQL [REPEAT [plan]]: runs SQL (one statement) REPEAT times on DB, read-only, and
// prints min and median wall and CPU time per run (with `plan`: the query plan and first row
// too). PRAGMAS='PRAGMA …;' runs first. The Debian sqlite3 shell is 3.40; this links the
// SQLite that libsqlite3-sys bundles (3.51.3 here), so plans and times are the app's:
//   S=$(ls -d ~/.cargo/registry/src/*/libsqlite3-sys-0.37.0)/sqlite3
//   gcc -O2 -DSQLITE_ENABLE_FTS5 -DSQLITE_THREADSAFE=1 -I$S -o sqlq sqlq.c $S/sqlite3.c -lpthread -lm -ldl
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "sqlite3.h"
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
static double cpu(void){struct rusage r;getrusage(RUSAGE_SELF,&r);return r.ru_utime.tv_sec+r.ru_utime.tv_usec/1e6+r.ru_stime.tv_sec+r.ru_stime.tv_usec/1e6;}
static int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){
  if(argc<3){fprintf(stderr,"usage: sqlq DB SQL [REPEAT] [plan]\n");return 2;}
  int n=argc>3?atoi(argv[3]):1; int plan=argc>4;
  sqlite3*db; if(sqlite3_open_v2(argv[1],&db,SQLITE_OPEN_READONLY,0)){fprintf(stderr,"open: %s\n",sqlite3_errmsg(db));return 1;}
  sqlite3_stmt*st; if(getenv("PRAGMAS")) sqlite3_exec(db,getenv("PRAGMAS"),0,0,0);
  if(plan){char*q=sqlite3_mprintf("EXPLAIN QUERY PLAN %s",argv[2]);
    if(sqlite3_prepare_v2(db,q,-1,&st,0)){fprintf(stderr,"prepare: %s\n",sqlite3_errmsg(db));return 1;}
    while(sqlite3_step(st)==SQLITE_ROW) printf("plan: %s\n",sqlite3_column_text(st,3));
    sqlite3_finalize(st);}
  double *w=malloc(sizeof(double)*n),*c=malloc(sizeof(double)*n); long rows=0;
  for(int i=0;i<n;i++){
    double w0=now(),c0=cpu();
    if(sqlite3_prepare_v2(db,argv[2],-1,&st,0)){fprintf(stderr,"prepare: %s\n",sqlite3_errmsg(db));return 1;}
    rows=0; int rc;
    while((rc=sqlite3_step(st))==SQLITE_ROW){ if(rows==0&&i==0&&plan){printf("row:");for(int k=0;k<sqlite3_column_count(st)&&k<3;k++)printf(" %s",sqlite3_column_text(st,k));printf("\n");} rows++; }
    if(rc!=SQLITE_DONE){fprintf(stderr,"step: %s\n",sqlite3_errmsg(db));return 1;}
    sqlite3_finalize(st);
    w[i]=now()-w0; c[i]=cpu()-c0;
  }
  if(plan||n>1){qsort(w,n,sizeof(double),cmp);qsort(c,n,sizeof(double),cmp);
  printf("%s rows=%ld runs=%d wall min %.1f ms median %.1f ms | cpu min %.1f ms median %.1f ms\n",sqlite3_libversion(),rows,n,w[0]*1e3,w[n/2]*1e3,c[0]*1e3,c[n/2]*1e3);}
  sqlite3_close(db); return 0;}
